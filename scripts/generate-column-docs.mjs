// Generates src/core/authoring/awsColumnDocs.ts: AWS's own description of every credential-report column, taken from
// AWS's "Understanding the report format" page (the seed document named below), so completion and hover show AWS's words
// and not a paraphrase. The page text was extracted from HTML: words around inline code are glued together
// ("value isTRUE") and list items are separate "-" lines; this script undoes both and writes Markdown.
//
//   node scripts/generate-column-docs.mjs [seed file]    (default: 004_*.txt in ../shared/seeds or ../../shared/seeds)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The seeds sit beside the main checkout (../shared) or beside a worktree's parent (../../shared).
const seedFolder = [join(root, '..', 'shared', 'seeds'), join(root, '..', '..', 'shared', 'seeds')].find((folder) => existsSync(folder));
if (!process.argv[2] && !seedFolder) throw new Error('no ../shared/seeds folder: pass the seed file as an argument');
const seed = process.argv[2] ?? join(seedFolder, readdirSync(seedFolder).find((name) => name.startsWith('004_')) ?? '004_missing.txt');
const text = readFileSync(seed, 'utf8');

const start = text.indexOf('The CSV file contains the following columns:');
const end = text.indexOf('Getting credential reports (console)');
if (start < 0 || end < 0) throw new Error(`${seed}: the column list of the report format page was not found`);
const lines = text.slice(start, end).split('\n').slice(1);

// Columns are introduced by "- <name>" followed by a line holding only "-".
const columns = [];
for (let index = 0; index < lines.length; index++) {
  // The heading may share its line with the end of the previous column's text ("... by default. - password_last_used").
  const heading = /^(.*?)-\s+([a-z0-9_]+)\s*$/.exec(lines[index]);
  if (heading && lines[index + 1]?.trim() === '-' && (heading[1].trim() === '' || /[.]\s*$/.test(heading[1]))) {
    if (heading[1].trim() !== '') columns.at(-1)?.body.push(heading[1]);
    columns.push({ name: heading[2], body: [] });
    index++;
    continue;
  }
  columns.at(-1)?.body.push(lines[index]);
}

/** Joins the extracted lines back into sentences, with the "-" lines as list items and AWS's values as code. */
function toMarkdown(body) {
  let joined = body.join('\n');
  // A trailing ". - next_column" on the last line of a column is the next heading, already split off.
  joined = joined.replace(/\n\.\s+-\s+[a-z0-9_]+\s*$/, '.');
  const paragraphs = [];
  let current = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' ) continue;
    if (/^-$/.test(line) || /:-$/.test(line) || /\s-$/.test(line)) {
      if (line !== '-') current.push(line.slice(0, -1));
      paragraphs.push(current);
      current = [];
      continue;
    }
    if (line.startsWith('. ')) current.push('.', line.slice(2));
    else if (/^(Important|Note)$/.test(line) || /\.(Note|Important) /.test(line)) {
      // AWS's callouts become paragraphs of their own.
      const [before, after] = line.includes('.Note') ? line.split(/\.(?=Note )/) : ['', line];
      if (before) current.push(`${before}.`);
      paragraphs.push(current);
      current = [`**${after.split(' ')[0]}:**`, ...after.split(' ').slice(1)];
    } else current.push(line);
  }
  paragraphs.push(current);
  const blocks = paragraphs.map((words) => tidy(words.join(' '))).filter((block) => block !== '' && block !== '.');
  // A block right after one ending in ":" (and until the next block not looking like a case) is a list item.
  const out = [];
  let inList = false;
  for (const block of blocks) {
    if (inList && /^(The|There is)\b/.test(block) && !/\.$/.test(block)) {
      out.push(`- ${block}`);
      continue;
    }
    if (inList && /^(The|There is)\b/.test(block) && block.split(' ').length < 35 && !/^(The value in this field|The value for)/.test(block)) {
      out.push(`- ${block}`);
      continue;
    }
    inList = /:$/.test(block);
    out.push(block);
  }
  return out.join('\n\n').replace(/\n\n- /g, '\n- ').replace(/:\n- /g, ':\n\n- ');
}

const SPECIAL = ['TRUE', 'FALSE', 'N/A', 'no_information', 'not_supported', 'Active', 's3', 'ec2'];
function tidy(sentence) {
  let result = sentence.replace(/\s+\./g, '.').replace(/\s+,/g, ',').replace(/\s+/g, ' ').trim();
  // Glued inline code: "isFALSE", "andec2", "users.The".
  result = result.replace(/\b(is|and|isN)(FALSE|TRUE|N\/A|ec2)\b/g, (_, word, value) => `${word === 'isN' ? 'is N' : word} ${value}`);
  result = result.replace(/([a-z])\.([A-Z])/g, '$1. $2');
  result = result.replace(/(\S)\s?Note (?=[A-Z])/g, '$1\n\n**Note:** ');
  result = result.replace(/ISO 8601 date-time format(?=[ .,])/g, 'ISO 8601 date-time format');
  for (const value of SPECIAL) {
    const escaped = value.replace(/[/]/g, '\\/');
    result = result.replace(new RegExp(`(^|[\\s(])${escaped}(?=[\\s).,;:]|$)`, 'g'), `$1\`${value}\``);
  }
  return result;
}

const entries = columns.map(({ name, body }) => `  ${JSON.stringify(name)}: ${JSON.stringify(toMarkdown(body))},`);
const output = `// GENERATED by scripts/generate-column-docs.mjs from AWS's "Generate credential reports for your AWS account" page
// (IAM User Guide, "Understanding the report format"). Do not edit: regenerate. The text is AWS's; only the layout is ours.

/** AWS's description of each credential-report column, as Markdown, by column name. */
export const AWS_COLUMN_DOCS: Readonly<Record<string, string>> = {
${entries.join('\n')}
};

export const AWS_COLUMN_DOCS_SOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format';
`;
writeFileSync(join(root, 'src/core/authoring/awsColumnDocs.ts'), output);
console.log(`wrote ${columns.length} column descriptions`);
