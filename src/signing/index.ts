export { signatureHeaders, type SignInput, type Signer } from './sign-request.js';
export { hmacKey } from './hmac-key.js';
export { generateEndpointKey, generateSecret } from './secrets.js';
export { isSigningKey, publicKeyOf } from './ed25519-key.js';
export { SecretBox } from './secret-box.js';
export { mapSensitive, openSensitiveHeaders, sealSensitiveHeaders } from './header-seal.js';
