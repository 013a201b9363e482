// Every English string of the pages. `{name}` marks a value filled in by the page (escaped there).
// The labels "Sign in", "Allow", "Deny", "Revoke" and "Connected apps" are contracts: tools and
// tests look for them, so they stay exactly so.

export const en = {
  languageName: 'English',

  layout: {
    languages: 'Language',
    home: 'appointman home page',
  },

  home: {
    title: 'Your account',
    heading: 'Your appointman sign-in',
    signedInAs: 'You are signed in as',
    connectedApps: 'Connected apps',
    connectedAppsHint: 'see the apps you have allowed to use your account, and withdraw their access.',
    signOut: 'Sign out',
    notSignedIn: 'You are not signed in.',
    signIn: 'Sign in',
    developers: 'Building an app for appointman?',
    buttonLink: 'Get the “Connect with appointman” button',
  },

  login: {
    title: 'Sign in',
    heading: 'Sign in to appointman',
    continueBefore: 'to continue to',
    continueAfter: '',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    errors: {
      expired: 'This sign-in form has expired. Please try again.',
      missing: 'Enter your username and password.',
      throttled: 'Too many failed sign-in attempts. Please wait a few minutes, then try again.',
      incorrect: 'The username or password is incorrect.',
    },
  },

  consent: {
    title: 'Allow {app}?',
    heading: '{app} wants to access your appointman account',
    signedInAs: 'Signed in as',
    ableTo: 'If you allow it, {app} will be able to:',
    sentBack: 'Afterwards you will be sent back to',
    withdrawBefore: 'You can withdraw this access at any time under',
    withdrawAfter: '.',
    connectedApps: 'Connected apps',
    allow: 'Allow',
    deny: 'Deny',
    notYou: 'Not {user}? Sign out',
  },

  connectedApps: {
    title: 'Connected apps',
    heading: 'Connected apps',
    intro:
      'These apps may use your appointman account. Revoking an app ends its access at once: it has to ask you again to get back in.',
    signedInAs: 'Signed in as',
    none: 'You have not allowed any apps to use your account.',
    canDo: 'It can:',
    grantedAt: 'Allowed on',
    revoke: 'Revoke',
    revoked: 'Access for {app} has been revoked. Its tokens no longer work.',
    dateLocale: 'en-GB',
  },

  signedOut: {
    title: 'Signed out',
    heading: 'You are signed out',
    message: 'You have been signed out of appointman on this browser.',
    signInAgain: 'Sign in again',
  },

  error: {
    homeLink: 'Go to the appointman home page',
    detail: 'Technical detail:',
  },

  /** Error pages: what went wrong, and what the person can do. */
  errors: {
    requestRejected: {
      heading: 'This app’s request cannot be accepted',
      message: 'The app’s request is not valid.',
      advice: 'You have not been sent back to the app, for your safety. Please tell the app’s developer.',
    },
    consentExpired: {
      heading: 'This page has expired',
      message: 'Your answer could not be verified, so nothing was shared.',
      advice: 'Go back to the app and start again.',
    },
    noDecision: {
      heading: 'No answer was given',
      message: 'Choose Allow or Deny.',
      advice: 'Go back to the app and start again.',
    },
    logoutExpired: {
      heading: 'You are still signed in',
      message: 'This sign-out form has expired.',
      advice: 'Go to the home page and sign out from there.',
    },
    revokeExpired: {
      heading: 'Nothing was revoked',
      message: 'This form has expired, so the app still has access.',
      advice: 'Open Connected apps again and press Revoke once more.',
    },
    badRequest: {
      heading: 'This request cannot be processed',
      message: 'The request is not valid.',
      advice: 'Go back to the app and try again. If it keeps happening, tell the app’s developer.',
    },
    serverError: {
      heading: 'Something went wrong',
      message: 'An unexpected error stopped this request.',
      advice: 'Please try again in a moment.',
    },
    unavailable: {
      heading: 'appointman is briefly unavailable',
      message: 'We cannot reach our database right now.',
      advice: 'Please try again in a moment.',
    },
  },

  /**
   * The authorization request's own error sentences (src/oauth/authorization-request.ts) are
   * English; other languages translate them here. `{name}` is a parameter name.
   */
  requestErrors: {} as Record<string, string>,

  /** Scope sentences for the default scopes; others use the sentence they were configured with. */
  scopes: {} as Record<string, string>,

  button: {
    title: 'Connect with appointman button',
    heading: 'The “Connect with appointman” button',
    label: 'Connect with appointman',
    intro:
      'Apps that let people sign in with appointman can show this button. It links to your app’s own address that starts the authorization request.',
    cssHeading: 'HTML and CSS',
    cssHint: 'Scales with the text, follows the page’s font size, and has a visible keyboard focus.',
    svgHeading: 'Image (SVG)',
    svgHint: 'Keep the alt text: it is what screen readers announce.',
    preview: 'Preview:',
    snippet: 'Paste into your page:',
    replaceHref: 'Replace /login/appointman with the address in your app that starts the sign-in.',
  },
};

export type Messages = typeof en;
