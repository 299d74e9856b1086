"""WTForms for ldapply: the shared base, fixed forms, and the builder for regime steps."""
