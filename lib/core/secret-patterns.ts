/**
 * What a secret looks like, for the two places that keep secrets out of dist/: the config rule that refuses
 * them before anything is rendered (lib/core/config-rules.ts) and the output scan of `npm run validate` /
 * `make test` (lib/validation/secret-scan.ts). Findings never contain the secret itself, only what kind of
 * secret it looks like.
 */

/** A known token format: a name for messages and a pattern that finds it anywhere in a string. */
interface TokenFormat {
  readonly name: string;
  readonly pattern: RegExp;
}

/**
 * Token formats that are credentials by construction (their prefixes are published by their issuers for
 * secret scanning): GitHub, Slack, AWS, JWTs (Azure AD / OIDC access tokens), Azure storage account keys and
 * SAS signatures, Azure AD client secrets, PEM private keys.
 */
const TOKEN_FORMATS: readonly TokenFormat[] = [
  { name: 'a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_)', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,255}/ },
  { name: 'a GitHub fine-grained token (github_pat_)', pattern: /\bgithub_pat_[A-Za-z0-9_]{20,255}/ },
  { name: 'a Slack token (xox*-)', pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/ },
  { name: 'an AWS access key ID (AKIA/ASIA)', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: 'an Azure storage account key', pattern: /(^|[^A-Za-z0-9+/])[A-Za-z0-9+/]{86}==($|[^A-Za-z0-9+/=])/ },
  { name: 'an Azure storage connection string with AccountKey', pattern: /AccountKey=[^;\s]+/i },
  { name: 'a shared access signature (sig=)', pattern: /[?&;]sig=[^&\s]+/i },
  { name: 'a SharedAccessSignature connection string', pattern: /SharedAccessSignature=[^;\s]+/i },
  { name: 'an Azure AD client secret', pattern: /(^|[^A-Za-z0-9_~.-])[A-Za-z0-9_.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}($|[^A-Za-z0-9_~.-])/ },
  { name: 'a private key', pattern: /-----BEGIN ([A-Z]+ )*PRIVATE KEY-----/ },
  { name: 'a credential in a URL query (token=, password=, api_key=, client_secret=)', pattern: /[?&](access_token|token|password|passwd|api[_-]?key|client_secret)=[^&\s]+/i },
];

/** The kind of token `value` contains, or undefined. */
export function tokenFormatIn(value: string): string | undefined {
  return TOKEN_FORMATS.find((format) => format.pattern.test(value))?.name;
}

/**
 * Schemes whose user-info part is not a credential: ADLS and blob URLs put the container there
 * (`abfss://container@account.dfs.core.windows.net/`), SSH puts the login user (`ssh://git@github.com/`).
 */
const USER_IS_NOT_A_CREDENTIAL = new Set(['abfs', 'abfss', 'wasb', 'wasbs', 'ssh', 'git+ssh', 'sftp']);

/** Every `scheme://userinfo@` in a string (URLs may stand inside arguments). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/([^/?#@\s"'<>]+)@/gi;

/**
 * Why a URL in `value` carries credentials (user and password, a token as user name, or any user info in an
 * http(s)/oci URL), or undefined when none does. The message shows the scheme, never the credential.
 */
export function credentialsInUrl(value: string): string | undefined {
  for (const match of value.matchAll(URL_USERINFO)) {
    const scheme = match[1].toLowerCase();
    const userInfo = match[2];
    if (userInfo.includes(':')) return `a ${scheme}:// URL carries a user name and password`;
    if (tokenFormatIn(userInfo)) return `a ${scheme}:// URL carries a token as its user name`;
    if (!USER_IS_NOT_A_CREDENTIAL.has(scheme) && /^(https?|oci)$/.test(scheme)) return `a ${scheme}:// URL carries user info (a token or user name before '@')`;
  }
  return undefined;
}

/** Words of an environment variable name: `dbPassword` and `DB_PASSWORD` both give [DB, PASSWORD]. */
function nameWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter((word) => word.length > 0);
}

/** A name word that marks a secret: PASSWORD, TOKEN, SECRET, KEY alone or at the end of a word (DBPASSWORD, APIKEY). */
const SECRET_WORD = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|SECRETS|TOKEN|KEY|KEYS|CREDENTIAL|CREDENTIALS|CREDS)$/;
/** Last words that make a name point at a secret instead of holding one (a file, a URL, a Secret's name). */
const REFERENCE_WORDS = new Set(['FILE', 'PATH', 'DIR', 'URL', 'URI', 'ENDPOINT', 'NAME']);

/**
 * The secret-marking word of an environment variable name, or undefined. Matching is by word, so
 * TOKENIZERS_PARALLELISM or MAX_NEW_TOKENS are not secrets, and names ending in _FILE, _PATH, _DIR, _URL,
 * _URI, _ENDPOINT or _NAME refer to a secret rather than hold one (AZURE_FEDERATED_TOKEN_FILE).
 */
export function secretNameWord(name: string): string | undefined {
  const words = nameWords(name);
  if (words.length === 0 || REFERENCE_WORDS.has(words[words.length - 1])) return undefined;
  const word = words.find((w) => SECRET_WORD.test(w));
  if (!word) return undefined;
  return SECRET_WORD.exec(word)![1];
}

/** Why a string value is a secret (token format or URL credentials), or undefined. */
export function secretValueReason(value: string): string | undefined {
  const url = credentialsInUrl(value);
  if (url) return url;
  const token = tokenFormatIn(value);
  return token ? `the value looks like ${token}` : undefined;
}
