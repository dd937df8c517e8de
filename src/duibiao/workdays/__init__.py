"""The working-day calendar (工作日历) every app counts deadlines in: the published holiday
arrangement plus the office's table for later years and corrections.

It sits below the domain apps so that assessment (填报时限, 申诉期), projects (交办事项) and
inspections (整改期限) count the same working days without importing each other. The office
edits the table from the assessment's 工作日历 page (`assessment.services.calendar`)."""
