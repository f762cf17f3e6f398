/**
 * The documented test key pair of `simulate`: public, obviously fake values, accepted only by the
 * simulator, so users can try AK/SK request signing end to end. Never a real credential.
 */
export const SIM_TEST_ACCESS_KEY = 'HSSSIMTESTAK00000000';
export const SIM_TEST_SECRET_KEY = 'HSSSIMTESTSK-public-test-key-not-a-secret';
