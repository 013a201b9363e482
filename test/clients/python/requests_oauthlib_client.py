"""requests-oauthlib (over oauthlib, Python libraries nobody here wrote) against the listening server.

Usage: requests_oauthlib_client.py ISSUER CLIENT_ID CLIENT_SECRET SCENARIO [REDIRECT_URI]
Scenarios: client-credentials, code-flow. code-flow first prints {"authorization_url": ...}, then
reads the final redirect URL (after sign-in and consent, driven by the caller) from stdin.
The last line printed is one JSON object of results; no token or secret is printed.
"""

import json
import os
import sys

# The test server is plain http on a loopback port.
os.environ.setdefault('OAUTHLIB_INSECURE_TRANSPORT', '1')

import requests  # noqa: E402
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error, WebApplicationClient  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402
from requests_oauthlib import OAuth2Session  # noqa: E402

issuer, client_id, client_secret, scenario = sys.argv[1:5]
redirect_uri = sys.argv[5] if len(sys.argv) > 5 else None
metadata = requests.get(issuer + '/.well-known/oauth-authorization-server').json()
token_endpoint = metadata['token_endpoint']
basic = HTTPBasicAuth(client_id, client_secret)


def emit(value):
    print(json.dumps(value), flush=True)


def attempt(call):
    """The call's result, or the OAuth error oauthlib raised for it."""
    try:
        return call()
    except OAuth2Error as error:
        return {'error': error.error, 'description': error.description}


def summary(token):
    scope = token.get('scope')  # oauthlib turns the scope string into a list
    return {
        'token_type': token.get('token_type'),
        'expires_in': token.get('expires_in'),
        'scope': ' '.join(scope) if isinstance(scope, list) else scope,
        'refresh_token': bool(token.get('refresh_token')),
    }


def api(session, path):
    return session.get(issuer + path).status_code


def client_credentials_scenario():
    results = {}
    for name, options in (('client_secret_basic', {'auth': basic}),
                          ('client_secret_post', {'client_secret': client_secret, 'include_client_id': True})):
        session = OAuth2Session(client=BackendApplicationClient(client_id))
        token = attempt(lambda: summary(session.fetch_token(token_endpoint, **options)))
        results[name] = {'token': token, 'accounts': api(session, '/api/v1/accounts') if session.token else None}
    for seconds in (300, 315360000, 299, 315360001):
        session = OAuth2Session(client=BackendApplicationClient(client_id))
        results['expires_in=%d' % seconds] = attempt(
            lambda: summary(session.fetch_token(token_endpoint, auth=basic, expires_in=str(seconds))))
    return results


def code_flow_scenario():
    """RFC 6749 §4.1 with PKCE S256 (RFC 7636, oauthlib's helpers), refresh rotation, code replay."""
    oauth = WebApplicationClient(client_id)
    verifier = oauth.create_code_verifier(64)
    session = OAuth2Session(client=oauth, redirect_uri=redirect_uri, scope=['read', 'write'])
    url, _state = session.authorization_url(metadata['authorization_endpoint'],
                                            code_challenge=oauth.create_code_challenge(verifier, 'S256'),
                                            code_challenge_method='S256')
    emit({'authorization_url': url})
    callback = sys.stdin.readline().strip()

    # oauthlib checks state against the session's and reads the code (RFC 6749 §4.1.2).
    exchange = lambda: session.fetch_token(token_endpoint, authorization_response=callback,  # noqa: E731
                                           auth=basic, code_verifier=verifier)
    first = attempt(lambda: dict(exchange()))
    if 'error' in first:
        return {'exchange': first}
    results = {'exchange': summary(first), 'me': api(session, '/api/v1/me')}
    refreshed = attempt(lambda: dict(session.refresh_token(token_endpoint, auth=basic)))
    results['refresh'] = summary(refreshed) if 'error' not in refreshed else refreshed
    results['rotated'] = refreshed.get('refresh_token') not in (None, first['refresh_token'])
    results['me_after_refresh'] = api(session, '/api/v1/me')
    results['replay'] = attempt(lambda: summary(exchange()))
    # Checklist C1: the replay revoked what the code had issued.
    results['me_after_replay'] = api(session, '/api/v1/me')
    return results


scenarios = {'client-credentials': client_credentials_scenario, 'code-flow': code_flow_scenario}
emit(scenarios[scenario]())
