/**
 * lexoffice's public key for webhook signatures (`X-Lxo-Signature`, base64 RSA-SHA512).
 *
 * Where this text comes from: lexoffice publishes the key at
 * {@link LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL}. This package was built without internet access, so
 * the PEM below was copied from two independent open-source lexoffice integrations that commit
 * it verbatim (both byte-identical):
 *
 * - `Baebeca-Solutions/lexware-php-api`, `examples/callback.php` (commit 73beafb9…), a webhook
 *   receiver that checks `X-Lxo-Signature` with `openssl_verify(..., 'RSA-SHA512')`;
 * - `hupebln/autolex`, `public_key.pub` (commit b9c11a76…), the file its Flask webhook loads.
 *
 * It has NOT been compared with lexoffice's URL by the authors of this package. Before relying
 * on it, check it against the official file, e.g.
 * `curl -s https://developers.lexware.io/webhookSignature/public/public_key.pub | diff - key.pem`.
 * No key-rotation policy or key id is documented; if lexoffice rotates the key, pass the new one
 * as `publicKey` until this package is updated.
 *
 * @packageDocumentation
 */

/**
 * Where lexoffice publishes its webhook signature key (PEM, RSA 4096).
 *
 * @example
 * ```ts
 * import { LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL } from 'passport-lexoffice'
 * console.log(`compare the bundled key with ${LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL}`)
 * ```
 */
export const LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL = 'https://developers.lexware.io/webhookSignature/public/public_key.pub'

/**
 * lexoffice's webhook signature public key (SPKI PEM, RSA 4096), the default key of
 * {@link verifyLexofficeSignature} and {@link lexofficeWebhooks}. See the file comment for its
 * provenance; verify it against {@link LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL}.
 *
 * @example
 * ```ts
 * import { createPublicKey } from 'node:crypto'
 * import { LEXOFFICE_WEBHOOK_PUBLIC_KEY } from 'passport-lexoffice'
 * createPublicKey(LEXOFFICE_WEBHOOK_PUBLIC_KEY).asymmetricKeyDetails // { modulusLength: 4096, ... }
 * ```
 */
export const LEXOFFICE_WEBHOOK_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAtCkZXZqT2zFRmA83KsBC
tQSv9t+AaWiZpRWvzE4wiQEh0aHzNYkT/DlP419pngqoLxnqW9SsgWfKOG3utoEV
z+Lru9odZntW/n/yaRK3f0AcMtuWs/Z1PZ4BbN/RlFYyqlPg0VfuAvZMAa+J9WAl
Fuy0T4Y0EdO0d+EL8BpzSLqj3XLI+YuK4hUhlTOxHmdDtNUkugnT9b9khb+oPDmB
3yxRP6Rmo2qo6waSc+pihCdOiZKzwA4fA1HT8DM54OaNQ4qd9NRf5uECijFlpQu6
vZdW7Z+LZ8HTgGQVSsJdCzUtM1wiWOERrHvd8IpBMvUAvGM/qaJnAmwsEr4J/El4
yCmur8wwYBtSUH0Xue42YysdmSS0pOMMUAAvr70HQMDHagYkErMtu6FAyAmPz8p/
tAqJJpwAhxITbnc5WsmZOu0Ke255nXQ/2Go1TKv+45mSb7RLsvpmhVZ4nFByFt24
vG6IwNReuLhJJL468jrdTpxyZRn0QqkxiQV7jDd9Dp1NVd/W3+n86Aos9LnJa+ut
kN+jOOWmJdJjnQetJlbDVg3ex+XHVmCjiRYggCGPlpXVJwdEUNGzxhPGKjxmeiQT
ahwFA9iHtwBw7yK5VfM/hA+JeF2FXYhTdehfClAQt1YCYXkgUEFxm9idRdBoCY6U
bmFUXQLdi7tZyDor8Rxoq2MCAwEAAQ==
-----END PUBLIC KEY-----
`
