"""The staff screens: server-rendered pages at `/`, beside the API at `/api/v1`.

Pages call the same application services as the API (never the API over HTTP), with Flask's
own Jinja2 templates (`templates/`) and one style sheet and one small optional script
(`static/`); every page works with JavaScript off. `sign_in_routes` signs people in and
out, `guard` knows who is signed in and checks every form's CSRF token, `pages` are the
screens, `today` the first screen's sections.
"""
