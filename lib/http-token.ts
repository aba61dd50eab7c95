// Client-safe: the header editors, the API's validation and the outgoing HTTP client check names alike.

/** An HTTP token (RFC 9110 §5.6.2): what a header name may be. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
