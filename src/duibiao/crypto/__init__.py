"""Commercial cryptography (商用密码) for the application: SM3 (GB/T 32905-2016) for password
hashing and key ids, SM4 (GB/T 32907-2016) in GCM mode (GB/T 36624-2018, RFC 8998) for data
at rest. The primitives are OpenSSL's, through pyca/cryptography; this package only frames
them (docs/security.md, 商用密码). Django-free below `settings`; the keys come from settings.
"""
