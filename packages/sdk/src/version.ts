/** The SDK's version, written into every log header. */
export const SDK_VERSION = '0.1.0';
