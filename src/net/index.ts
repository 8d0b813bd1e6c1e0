export { AddressRules, isAddressAllowed, type AddressVerdict } from './address-rules.js';
export { checkEndpointUrl, MAX_URL_LENGTH } from './check-url.js';
export {
  createEgressDispatcher,
  describeNetworkError,
  EgressError,
  type EgressDispatcherOptions,
} from './egress-dispatcher.js';
export {
  validateEgressPolicy,
  parseProxyUrl,
  rulesFor,
  systemResolver,
  type EgressPolicy,
  type ResolvedAddress,
  type Resolver,
} from './egress-policy.js';
export { isLocalhostName } from './vet-host.js';
export { readCapped, REMOTE_ANSWER_LIMIT_BYTES } from './read-capped.js';
export { deadline } from './deadline.js';
