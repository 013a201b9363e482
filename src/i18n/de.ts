import type { Messages } from './en.js';

// Jeder deutsche Text der Seiten. `{name}` markiert einen Wert, den die Seite einsetzt.

export const de: Messages = {
  languageName: 'Deutsch',

  layout: {
    languages: 'Sprache',
    home: 'appointman-Startseite',
  },

  home: {
    title: 'Ihr Konto',
    heading: 'Ihre Anmeldung bei appointman',
    signedInAs: 'Sie sind angemeldet als',
    connectedApps: 'Verbundene Apps',
    connectedAppsHint: 'sehen Sie, welche Apps Ihr Konto nutzen dürfen, und entziehen Sie ihnen den Zugriff.',
    signOut: 'Abmelden',
    notSignedIn: 'Sie sind nicht angemeldet.',
    signIn: 'Anmelden',
    developers: 'Sie entwickeln eine App für appointman?',
    buttonLink: 'Holen Sie sich die Schaltfläche „Mit appointman verbinden“',
  },

  login: {
    title: 'Anmelden',
    heading: 'Bei appointman anmelden',
    continueBefore: 'um mit',
    continueAfter: 'fortzufahren',
    username: 'Benutzername',
    password: 'Passwort',
    submit: 'Anmelden',
    errors: {
      expired: 'Dieses Anmeldeformular ist abgelaufen. Bitte versuchen Sie es erneut.',
      missing: 'Geben Sie Ihren Benutzernamen und Ihr Passwort ein.',
      throttled:
        'Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut.',
      incorrect: 'Benutzername oder Passwort ist falsch.',
    },
  },

  consent: {
    title: '{app} erlauben?',
    heading: '{app} möchte auf Ihr appointman-Konto zugreifen',
    signedInAs: 'Angemeldet als',
    ableTo: 'Wenn Sie es erlauben, kann {app}:',
    sentBack: 'Anschließend werden Sie weitergeleitet zu',
    withdrawBefore: 'Sie können diesen Zugriff jederzeit unter',
    withdrawAfter: ' widerrufen.',
    connectedApps: 'Verbundene Apps',
    allow: 'Erlauben',
    deny: 'Ablehnen',
    notYou: 'Nicht {user}? Abmelden',
  },

  connectedApps: {
    title: 'Verbundene Apps',
    heading: 'Verbundene Apps',
    intro:
      'Diese Apps dürfen Ihr appointman-Konto nutzen. Wenn Sie den Zugriff einer App widerrufen, endet er sofort: Die App muss Sie erneut um Erlaubnis bitten.',
    signedInAs: 'Angemeldet als',
    none: 'Sie haben noch keiner App erlaubt, Ihr Konto zu nutzen.',
    canDo: 'Sie darf:',
    grantedAt: 'Erlaubt am',
    revoke: 'Widerrufen',
    revoked: 'Der Zugriff für {app} wurde widerrufen. Ihre Tokens sind nicht mehr gültig.',
    dateLocale: 'de-DE',
  },

  signedOut: {
    title: 'Abgemeldet',
    heading: 'Sie sind abgemeldet',
    message: 'Sie wurden in diesem Browser von appointman abgemeldet.',
    signInAgain: 'Erneut anmelden',
  },

  error: {
    homeLink: 'Zur appointman-Startseite',
    detail: 'Technische Angabe:',
  },

  errors: {
    requestRejected: {
      heading: 'Die Anfrage dieser App kann nicht angenommen werden',
      message: 'Die Anfrage der App ist ungültig.',
      advice:
        'Zu Ihrer Sicherheit wurden Sie nicht zur App zurückgeleitet. Bitte informieren Sie die Entwickler der App.',
    },
    consentExpired: {
      heading: 'Diese Seite ist abgelaufen',
      message: 'Ihre Antwort konnte nicht bestätigt werden, daher wurde nichts freigegeben.',
      advice: 'Kehren Sie zur App zurück und beginnen Sie von vorn.',
    },
    noDecision: {
      heading: 'Es wurde keine Antwort gegeben',
      message: 'Wählen Sie Erlauben oder Ablehnen.',
      advice: 'Kehren Sie zur App zurück und beginnen Sie von vorn.',
    },
    logoutExpired: {
      heading: 'Sie sind weiterhin angemeldet',
      message: 'Dieses Abmeldeformular ist abgelaufen.',
      advice: 'Öffnen Sie die Startseite und melden Sie sich dort ab.',
    },
    revokeExpired: {
      heading: 'Es wurde nichts widerrufen',
      message: 'Dieses Formular ist abgelaufen, die App hat also weiterhin Zugriff.',
      advice: 'Öffnen Sie erneut „Verbundene Apps“ und wählen Sie noch einmal Widerrufen.',
    },
    badRequest: {
      heading: 'Diese Anfrage kann nicht verarbeitet werden',
      message: 'Die Anfrage ist ungültig.',
      advice:
        'Kehren Sie zur App zurück und versuchen Sie es erneut. Wenn es wieder passiert, informieren Sie die Entwickler der App.',
    },
    serverError: {
      heading: 'Etwas ist schiefgelaufen',
      message: 'Ein unerwarteter Fehler hat diese Anfrage abgebrochen.',
      advice: 'Bitte versuchen Sie es gleich noch einmal.',
    },
    unavailable: {
      heading: 'appointman ist kurz nicht erreichbar',
      message: 'Unsere Datenbank ist gerade nicht erreichbar.',
      advice: 'Bitte versuchen Sie es gleich noch einmal.',
    },
  },

  requestErrors: {
    'The app did not say who it is (client_id is missing).':
      'Die App hat nicht angegeben, wer sie ist (client_id fehlt).',
    'The app that sent you here is not registered with appointman.':
      'Die App, die Sie hierher geschickt hat, ist bei appointman nicht registriert.',
    'The app did not say where to send you back (redirect_uri is missing).':
      'Die App hat nicht angegeben, wohin Sie zurückgeleitet werden sollen (redirect_uri fehlt).',
    'The app asked to send you back to an address it has not registered.':
      'Die App wollte Sie an eine Adresse zurückleiten, die sie nicht registriert hat.',
    'The app sent "{name}" more than once, so this request cannot be trusted.':
      'Die App hat „{name}“ mehrfach gesendet, daher ist dieser Anfrage nicht zu trauen.',
  },

  scopes: {
    read: 'Ihre Termine, Leistungen und Kontodaten sehen',
    write: 'Termine anlegen, ändern und absagen',
    admin: 'Die Betreiber-API nutzen (nur für Apps, die der Betreiber als Admin kennzeichnet)',
  },

  button: {
    title: 'Schaltfläche „Mit appointman verbinden“',
    heading: 'Die Schaltfläche „Mit appointman verbinden“',
    label: 'Mit appointman verbinden',
    intro:
      'Apps, bei denen man sich mit appointman anmelden kann, zeigen diese Schaltfläche. Sie verweist auf die Adresse Ihrer App, die die Autorisierungsanfrage startet.',
    cssHeading: 'HTML und CSS',
    cssHint: 'Passt sich der Schriftgröße der Seite an und zeigt einen sichtbaren Tastaturfokus.',
    svgHeading: 'Bild (SVG)',
    svgHint: 'Behalten Sie den Alternativtext bei: Ihn lesen Bildschirmleser vor.',
    preview: 'Vorschau:',
    snippet: 'In Ihre Seite einfügen:',
    replaceHref: 'Ersetzen Sie /login/appointman durch die Adresse Ihrer App, die die Anmeldung startet.',
  },
};
