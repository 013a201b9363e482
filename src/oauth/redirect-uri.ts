// Redirect URI rules: registration (checklist R3) and matching (R1).

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?#].*)?$/;
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);

/** Why a redirect URI cannot be registered, or null when it can. */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length > 2000) return 'is longer than 2000 characters';
  if (/[^\x21-\x7e]/.test(uri))
    return 'contains spaces, control or non-ASCII characters (percent-encode them)';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URI (RFC 6749 §3.1.2)';
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `uses the forbidden scheme ${url.protocol}`;
  // RFC 6749 §3.1.2: the endpoint URI MUST NOT include a fragment component.
  if (uri.includes('#')) return 'has a fragment (RFC 6749 §3.1.2)';
  // RFC 9700 §4.1.1: exact matching only, so no patterns.
  if (uri.includes('*')) return 'has a wildcard; redirect URIs are matched exactly (RFC 9700 §4.1.1)';
  if (url.username || url.password) return 'has user information';
  if (url.protocol === 'https:') return url.hostname ? null : 'has no host';
  if (url.protocol === 'http:') {
    // RFC 9700 §2.6 and RFC 8252 §8.3: plain http only for loopback redirects of native apps.
    if (isLoopbackHost(url.hostname)) return null;
    return 'uses plain http; only https, or http on a loopback address (127.0.0.1, [::1], localhost), is allowed';
  }
  // RFC 8252 §7.1: a native app's private-use scheme is a reversed domain name, such as com.example.app:
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) return null;
  return `uses the scheme ${url.protocol}; use https, loopback http or a reversed-domain scheme (RFC 8252 §7.1)`;
}

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * RFC 9700 §4.1.1 and RFC 6749 §3.1.2.3: simple string comparison, nothing normalised. The one
 * exception (RFC 8252 §7.3): any port of a loopback IP redirect URI of a native app.
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  const want = LOOPBACK_HTTP.exec(registered);
  const got = LOOPBACK_HTTP.exec(requested);
  if (!want || !got) return false;
  // A port must be one (RFC 3986 §3.2.3; 0 to 65535): a larger number is no address to redirect to.
  if (got[2] !== undefined && Number(got[2]) > 65535) return false;
  return want[1] === got[1] && (want[3] ?? '') === (got[3] ?? '');
}
