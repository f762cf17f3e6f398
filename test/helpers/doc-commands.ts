/**
 * The command lines the docs print, and what is wrong with each: every `hss-baseline-sync …`,
 * `npx hss-baseline-sync …` and `npm run …` line of a shell code block, every inline code span
 * that starts so, and the synopses of the commands tables (`status [--json] [--runs N]`). A
 * concrete line is parsed with the command's own spec (src/commands/specs.ts), exactly as `main`
 * would parse it; a synopsis (placeholders such as `<instant>`, `N`, `…`, brackets) has each
 * option it names checked against the spec.
 */
import { parseCommandArgs } from '../../src/cli-args.js';
import { SPECS } from '../../src/commands/specs.js';

export interface DocCommand {
  /** `file:line`. */
  where: string;
  /** The text as found (continuations joined). */
  text: string;
  kind: 'cli' | 'npm';
  /** For `cli`: the command; for `npm`: the script. */
  name: string;
  args: string[];
}

const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'console']);
const SPEC_BY_NAME = new Map(SPECS.map((s) => [s.name, s]));
const COMMON_OPTIONS = new Set(['help', 'h', 'version']);

/**
 * Shell words of one line (quotes removed) up to a comment; `&&`, `||`, `|`, `;`, `>` as words of
 * their own; a `<placeholder>` is one word.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  const end = () => {
    if (inWord) words.push(cur);
    cur = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '<' && line.indexOf('>', i) > i) {
      // A placeholder such as `<instant>` is one word, not a redirection.
      const close = line.indexOf('>', i);
      cur += line.slice(i, close + 1);
      inWord = true;
      i = close;
    } else if (/\s/.test(ch)) end();
    else if (ch === '#' && !inWord) break;
    else if ('|;&>'.includes(ch)) {
      end();
      let op = ch;
      while (i + 1 < line.length && '|&>'.includes(line[i + 1]!)) op += line[++i];
      words.push(op);
    } else {
      cur += ch;
      inWord = true;
    }
  }
  end();
  return words;
}

const OPERATOR = /^(?:&&|\|\||\||;|&|>|>>|\d?>&?\d?)$/;

/** The hss-baseline-sync or npm-script commands of `text`, one per segment between operators. */
function commandsIn(text: string, where: string): DocCommand[] {
  const segments: string[][] = [[]];
  for (const w of shellWords(text)) {
    if (OPERATOR.test(w)) segments.push([]);
    else segments.at(-1)!.push(w);
  }
  return segments.flatMap((words) => {
    const c = commandOf(words, text, where);
    return c ? [c] : [];
  });
}

function commandOf(words: string[], text: string, where: string): DocCommand | null {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'npm' && words[i + 1] === 'test') {
      return { where, text, kind: 'npm', name: 'test', args: words.slice(i + 2) };
    }
    if (w === 'npm' && words[i + 1] === 'run' && words[i + 2]) {
      const rest = words.slice(i + 3).map((w) => w.replace(/^\[|\]$/g, ''));
      const dash = rest.indexOf('--');
      return { where, text, kind: 'npm', name: words[i + 2]!, args: dash < 0 ? rest : rest.slice(dash + 1) };
    }
    if (/^(?:bin\/)?hss-baseline-sync(?:\.js)?$/.test(w) && i + 1 < words.length) {
      // `docker build -t hss-baseline-sync .` names an image, not a command.
      if (words[i - 1] === '-t' || words[i - 1] === '--tag') continue;
      const name = words[i + 1]!;
      if (!/^[a-z][\w-]*$/.test(name)) continue;
      return { where, text, kind: 'cli', name, args: words.slice(i + 2) };
    }
  }
  return null;
}

/** Every command line of a Markdown page. */
export function docCommands(file: string, markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = markdown.split('\n');
  let fence: string | null = null;
  let pending = '';
  let pendingAt = 0;
  lines.forEach((line, i) => {
    const open = /^\s*```(\w*)/.exec(line);
    if (open) {
      fence = fence === null ? open[1]! : null;
      return;
    }
    if (fence !== null) {
      if (!SHELL_LANGS.has(fence)) return;
      if (!pending) pendingAt = i + 1;
      const joined = pending + (pending ? line.trimStart() : line);
      if (/\\\s*$/.test(line)) {
        pending = `${joined.replace(/\s*\\\s*$/, '')} `;
        return;
      }
      pending = '';
      out.push(...commandsIn(joined.replace(/^\s*\$\s+/, ''), `${file}:${pendingAt}`));
      return;
    }
    for (const m of line.matchAll(/`([^`]+)`/g)) {
      const span = m[1]!;
      const where = `${file}:${i + 1}`;
      if (/^(?:npx\s+)?hss-baseline-sync\s|^npm (?:run\s|test\b)/.test(span)) {
        out.push(...commandsIn(span, where));
      } else if (line.startsWith('|') && m.index === line.indexOf('`')) {
        // A commands table: its first cell names a command and its synopsis.
        const name = /^([a-z][\w-]*)(?:\s|$)/.exec(span)?.[1];
        if (name && SPEC_BY_NAME.has(name) && line.indexOf('|', 1) > m.index) {
          out.push({ where, text: span, kind: 'cli', name, args: shellWords(span).slice(1) });
        }
      }
    }
  });
  return out;
}

/** A synopsis rather than a command to run: it holds placeholders or optional parts. */
export function isSynopsis(c: DocCommand): boolean {
  return c.args.some((a) => /[[\]<>…|]|^\.\.\.$|^(?:N|DIR|INSTANT|PORT|HOST|ID|IDS|TYPE|NAME|MODE)$/.test(a));
}

/**
 * What is wrong with `c`, or null. `scripts` are package.json's; `benchFlags` the options the
 * bench accepts.
 */
export function problemOf(
  c: DocCommand,
  scripts: Record<string, string>,
  benchFlags: readonly string[],
): string | null {
  let cli: { name: string; args: string[] } | null = c.kind === 'cli' ? c : null;
  if (c.kind === 'npm') {
    const script = scripts[c.name];
    if (script === undefined) return `npm run ${c.name}: package.json has no such script`;
    const runs = /node bin\/hss-baseline-sync\.js ([a-z-]+)$/.exec(script);
    if (runs) cli = { name: runs[1]!, args: c.args };
    else if (c.name === 'bench') {
      const bad = c.args.filter((a) => !benchFlags.includes(a.replace(/^\[|\]$/g, '')));
      return bad.length ? `npm run bench: unknown option ${bad.join(' ')}` : null;
    } else return c.args.length ? `npm run ${c.name}: takes no arguments, got ${c.args.join(' ')}` : null;
  }
  if (!cli) return null;
  const spec = SPEC_BY_NAME.get(cli.name);
  if (!spec) return `unknown command "${cli.name}"`;
  if (isSynopsis({ ...c, args: cli.args })) {
    for (const m of cli.args.join(' ').matchAll(/(?:^|[\s[])--?([a-z][\w-]*)/g)) {
      const opt = m[1]!;
      if (!(opt in spec.options) && !COMMON_OPTIONS.has(opt)) return `${cli.name}: unknown option --${opt}`;
    }
    return null;
  }
  try {
    parseCommandArgs(spec, cli.args);
    return null;
  } catch (err) {
    return `${cli.name}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
