"""The recipes in deploy/ send the build's Content-Security-Policy.

The policy holds the hash of the pages' one inline script (the ``<base>`` of
``site_src/_head.html``); nginx and Caddy send it as a constant, so a change to that
script (or to the policy in ``build.content_security_policy``) must be copied into
the recipes. This test says so without a web server; tests/test_deploy_nginx.py and
tests/test_deploy_caddy.py check the headers the real servers send.
"""

import pytest
from deploy_checks import recipe, recipe_policy, site_policy


@pytest.mark.parametrize("name", ["nginx.conf", "Caddyfile"])
def test_recipe_sends_the_build_policy(name, built_site):
    expected = site_policy(built_site)
    assert recipe_policy(recipe(name)) == expected, (
        f"deploy/{name}: copy the Content-Security-Policy line of dist/_headers "
        "(make build) into the recipe"
    )
    assert "CSP-PLACEHOLDER" not in recipe(name)
