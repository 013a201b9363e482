"""Authlib (a Python OAuth library nobody here wrote) against the listening server.

Usage: authlib_client.py ISSUER CLIENT_ID CLIENT_SECRET SCENARIO [REDIRECT_URI]
An empty CLIENT_SECRET means a public client (token_endpoint_auth_method "none").
Scenarios: discovery, client-credentials, revocation, code-flow, implicit.
code-flow and implicit first print {"authorization_url": ...}, then read the final redirect
URL (after sign-in and consent, which the caller drives) from one line of stdin.
The last line printed is one JSON object of results; no token or secret is printed.
"""

import json
import os
import sys
from urllib.parse import parse_qs, urlparse

# The test server is plain http on a loopback port.
os.environ.setdefault('AUTHLIB_INSECURE_TRANSPORT', '1')

from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.base_client import OAuthError  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.oauth2.rfc6749.errors import OAuth2Error  # noqa: E402
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata  # noqa: E402

issuer, client_id, client_secret, scenario = sys.argv[1:5]
redirect_uri = sys.argv[5] if len(sys.argv) > 5 else None


def emit(value):
    print(json.dumps(value), flush=True)


def attempt(call):
    """The call's result, or the OAuth error Authlib raised for it."""
    try:
        return call()
    except (OAuthError, OAuth2Error) as error:
        return {'error': error.error, 'description': error.description}


def summary(token):
    """What a test may see of a token response: its shape, never the tokens."""
    return {
        'token_type': token.get('token_type'),
        'expires_in': token.get('expires_in'),
        'scope': token.get('scope'),
        'access_token': bool(token.get('access_token')),
        'refresh_token': bool(token.get('refresh_token')),
    }


def session(**kwargs):
    return OAuth2Session(client_id, client_secret or None, **kwargs)


def resource(client, path, access_token):
    response = client.get(issuer + path, withhold_token=True,
                          headers={'Authorization': 'Bearer ' + access_token})
    body = response.json() if response.headers.get('content-type', '').startswith('application/json') else None
    return {'status': response.status_code, 'www_authenticate': response.headers.get('www-authenticate'), 'body': body}


def introspect(client, token, hint):
    response = client.introspect_token(metadata['introspection_endpoint'], token=token, token_type_hint=hint)
    return {'status': response.status_code, 'body': response.json()}


def revoke(client, token, hint):
    return client.revoke_token(metadata['revocation_endpoint'], token=token, token_type_hint=hint).status_code


# RFC 8414 §3: every endpoint comes from the metadata, which Authlib validates (§2).
discovery = session().get(issuer + '/.well-known/oauth-authorization-server', withhold_token=True)
metadata = AuthorizationServerMetadata(discovery.json())
token_endpoint = metadata['token_endpoint']


def discovery_scenario():
    try:
        metadata.validate()
        valid = True
    except ValueError as error:
        valid = str(error)
    return {'status': discovery.status_code, 'valid': valid, 'metadata': dict(metadata)}


def client_credentials_scenario():
    results = {}
    for method in ('client_secret_basic', 'client_secret_post'):
        client = session(token_endpoint_auth_method=method, scope='read')
        token = attempt(lambda: summary(client.fetch_token(token_endpoint, grant_type='client_credentials')))
        accounts = resource(client, '/api/v1/accounts', client.token['access_token']) if 'error' not in token else None
        results[method] = {'token': token, 'accounts': accounts}
    for seconds in (300, 315360000, 299, 315360001):
        client = session()
        results['expires_in=%d' % seconds] = attempt(lambda: summary(
            client.fetch_token(token_endpoint, grant_type='client_credentials', expires_in=seconds)))
    wrong = OAuth2Session(client_id, 'not-the-secret')
    results['wrong_secret'] = attempt(lambda: summary(wrong.fetch_token(token_endpoint, grant_type='client_credentials')))
    return results


def revocation_scenario():
    """RFC 7009 and RFC 7662 with a client-credentials token of a confidential client."""
    client = session()
    access_token = client.fetch_token(token_endpoint, grant_type='client_credentials')['access_token']
    return {
        'before': introspect(client, access_token, 'access_token'),
        'revoke': revoke(client, access_token, 'access_token'),
        'after': introspect(client, access_token, 'access_token'),
        'api_after': resource(client, '/api/v1/accounts', access_token),
        'revoke_unknown': revoke(client, generate_token(43), 'refresh_token'),
    }


def code_flow_scenario():
    """RFC 6749 §4.1 with PKCE S256 (RFC 7636), refresh rotation, revocation, code replay."""
    client = session(scope='read write', redirect_uri=redirect_uri, code_challenge_method='S256')
    verifier = generate_token(64)
    url, state = client.create_authorization_url(metadata['authorization_endpoint'], code_verifier=verifier)
    emit({'authorization_url': url})
    callback = sys.stdin.readline().strip()

    # Authlib checks state and reads the code from the redirect (RFC 6749 §4.1.2).
    exchange = lambda: client.fetch_token(token_endpoint, authorization_response=callback,  # noqa: E731
                                          state=state, code_verifier=verifier)
    first = attempt(lambda: dict(exchange()))
    if 'error' in first:
        return {'exchange': first}
    results = {
        'iss': parse_qs(urlparse(callback).query).get('iss'),  # RFC 9207, which Authlib 1.2 does not check
        'exchange': summary(first),
        'me': resource(client, '/api/v1/me', first['access_token']),
    }
    results['introspect'] = introspect(client, first['access_token'], 'access_token')

    refreshed = attempt(lambda: dict(client.refresh_token(token_endpoint)))
    results['refresh'] = summary(refreshed) if 'error' not in refreshed else refreshed
    if 'error' not in refreshed:
        results['rotated'] = refreshed['refresh_token'] != first['refresh_token']
        results['me_after_refresh'] = resource(client, '/api/v1/me', refreshed['access_token'])
        # RFC 7009 §2.1: revoking the refresh token ends the grant, its access token too.
        results['revoke_refresh'] = revoke(client, refreshed['refresh_token'], 'refresh_token')
        results['introspect_after_revoke'] = introspect(client, refreshed['access_token'], 'access_token')
        results['me_after_revoke'] = resource(client, '/api/v1/me', refreshed['access_token'])

    # RFC 6749 §4.1.2: a code is used once.
    results['replay'] = attempt(lambda: summary(exchange()))
    return results


def implicit_scenario():
    """RFC 6749 §4.2: the token in the fragment, which Authlib parses after checking state."""
    client = session(scope='read', redirect_uri=redirect_uri)
    url, state = client.create_authorization_url(metadata['authorization_endpoint'], response_type='token')
    emit({'authorization_url': url})
    callback = sys.stdin.readline().strip()
    token = attempt(lambda: dict(client.fetch_token(authorization_response=callback, state=state)))
    if 'error' in token:
        return {'token': token}
    return {'token': summary(token), 'iss': token.get('iss'),
            'me': resource(client, '/api/v1/me', token['access_token'])}


scenarios = {
    'discovery': discovery_scenario,
    'client-credentials': client_credentials_scenario,
    'revocation': revocation_scenario,
    'code-flow': code_flow_scenario,
    'implicit': implicit_scenario,
}
emit(scenarios[scenario]())
