"""Signing in to the staff screens: passwords, the TOTP second factor and sessions.

The API authenticates each request by its bearer token (`application.staff_directory`); a
person at a browser signs in once with a password (`passwords`) and a second factor
(`second_factor`) and is then known by a session kept in the database (`sessions`). The
steps are carried out by `SignIn` (`service`).
"""
