/** Entry point of the `hss-baseline-sync` command. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`not implemented yet: ${argv.join(' ')}\n`);
  return 1;
}
