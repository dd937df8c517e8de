from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files once `collectstatic` has run (demo, production).

    Before that (tests, development) there is no manifest: names are served as they are,
    from the app folders, instead of failing on a missing hashed copy.
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
