export { signatureHeaders, type SignInput, type Signer } from './sign-request.js';
export { hmacKey } from './hmac-key.js';
export { generateSecret } from './secrets.js';
export { SecretBox } from './secret-box.js';
export { mapSensitive, openSensitiveHeaders, sealSensitiveHeaders } from './header-seal.js';
