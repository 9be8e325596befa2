let sequence = 0

/** A short value unique within a test run (and across runs sharing a database): base-36 time + counter. */
export const uniqueSuffix = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`
