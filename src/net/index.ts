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
export { egressRefusal, exchange, REMOTE_ANSWER_LIMIT_BYTES, type Exchange, type ExchangeRequest, type ExchangeResult } from './exchange.js';
export { startExchangeThread, type ExchangeThread } from './exchange-thread.js';
