/** `verify`: recomputes the history hash chain (src/verify/command.ts). */
export { cmdVerify as run } from '../verify/command.js';
