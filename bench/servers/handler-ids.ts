/** Handler IDs of the benchmark app: each echoes the body to a different audience. */
export const ECHO_ALL = 1;
export const ECHO_SELF = 2;
export const ECHO_EXCLUSIVE = 3;
