/**
 * The built CLI run non-interactively (pipes, no TTY), against the test run's
 * real server: stored-token login, scripts, --eval, --json, piped stdin,
 * batches, logout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readToken } from '../../lib/auth/store.js';
import { FIXTURE_PASSWORD, addBulk } from '../support/fixtures.js';
import { cliTestbed, runCli, type CliResult } from '../support/cli.js';
import { ctx, fingerprint } from '../support/server.js';
import { packageRoot } from '../../lib/platform/paths.js';


describe('e2e: scripts through the built CLI', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-');

  const cli = (args: string[], input = '', extra: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { ...bed.env, ...extra }, input);
  const loginAs = async (email: string) => {
    const r = await cli(['--email', email, '--password-stdin'], `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };
  const script = (name: string, code: string): string => {
    const file = path.join(bed.home, name);
    fs.writeFileSync(file, code);
    return file;
  };

  it('logs in once with --password-stdin, then a script runs on the stored token', async () => {
    await loginAs(bed.world.alice.email);
    expect(readToken({ stateDir: bed.home }, bed.world.alice.email)).to.be.a('string');
    const r = await cli(['--eval', 'clients.list({mine: true})']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/FULL NAME/).and.match(/Client of Alice/);
    expect(r.stdout).not.to.match(/Client of Bob/);
    expect(r.stdout).not.to.include('\x1b['); // not a terminal: no colour
    expect(r.stderr).to.equal('');
  });

  it('a refused call prints one PermissionDenied line, exits 1 and changes nothing', async () => {
    await loginAs(bed.world.alice.email);
    const before = await fingerprint();
    const file = script('refused.js', `whoami()\nclients.update(${bed.world.clientB}, {phone: '+33 1 00 00 00 00'})\nclients.create({fullName: 'Never', email: 'never@x.test'})\n`);
    const r = await cli([file]);
    expect(r.code).to.equal(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: PermissionDenied: sales may only update their own clients`));
    expect(r.stderr).not.to.match(/\n\s+at /);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('--eval prints the result and exits 0', async () => {
    await loginAs(bed.world.alice.email);
    const r = await cli(['--eval', 'whoami()']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/alice@epic\.events/).and.match(/sales/);
  });

  it('--eval - reads the code from standard input (out of sight of ps) and prints the last result', async () => {
    await loginAs(bed.world.alice.email);
    const r = await cli(['--eval', '-'], 'const me = whoami()\nme.email\n');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal("'alice@epic.events'\n");
  });

  it('--json prints one JSON document per result, with exact amounts', async () => {
    await loginAs(bed.world.manager.email);
    const r = await cli(['--json', '--eval', `contracts.get(${bed.world.contractA})`]);
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { id: number; totalAmount: string };
    expect(doc.id).to.equal(bed.world.contractA);
    expect(doc.totalAmount).to.equal('1000.00');

    const piped = await cli(['--json'], 'clients.list()\nwhoami()\n');
    expect(piped.code, piped.stderr).to.equal(0);
    const docs = piped.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(docs).to.have.length(2);
    expect((docs[0] as Array<{ fullName: string }>).map((c) => c.fullName)).to.deep.equal(['Client of Alice', 'Client of Bob']);
  });

  it('without a stored token and with stdin not a TTY, exits 3 with a message and never prompts', async () => {
    const file = script('x.js', 'whoami()\n');
    const r = await cli([file]);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.match(/^AuthError: no email to log in with/);
    expect(r.stdout + r.stderr).not.to.match(/Password/);

    const named = await cli(['--email', bed.world.alice.email, file]);
    expect(named.code).to.equal(3);
    expect(named.stderr).to.match(/AuthError: no valid stored token for alice@epic\.events/);
    expect(named.stdout + named.stderr).not.to.match(/Password for/);
  });

  it('epic-events logout removes the stored token; the next script is refused', async () => {
    await loginAs(bed.world.alice.email);
    const r = await cli(['logout']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/Logged out alice@epic\.events/);
    expect(readToken({ stateDir: bed.home }, bed.world.alice.email)).to.equal(undefined);
    expect((await cli(['--eval', 'whoami()'])).code).to.equal(3);
  });

  it('piped stdin runs the lines in order, each awaited before the next', async () => {
    await loginAs(bed.world.alice.email);
    const input = [
      "const a = await clients.create({fullName: 'First', email: 'first@x.test'})",
      "clients.create({fullName: 'Second', email: 'second@x.test'})",
      "clients.update(a.id, {companyName: 'Updated after second'})",
      "clients.list({search: 'x.test'})",
    ].join('\n');
    const r = await cli([], `${input}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const rows = r.stdout.split('\n').filter((l) => /(First|Second)\s/.test(l) && /x\.test/.test(l));
    expect(rows.map((l) => l.match(/First|Second/)?.[0])).to.deep.equal(['First', 'Second']);
    expect(rows[0]).to.match(/Updated after second/);
  });

  it('a script may spread a declaration over several lines (regression: `const x = {` failed at line 1)', async () => {
    await loginAs(bed.world.alice.email);
    const file = script('multi.js', "const fields = {\n  fullName: 'Multi Line',\n  email: 'multi@x.test',\n}\nconst made = await clients.create(fields)\nprint(made.fullName)\n");
    const r = await cli([file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('Multi Line\n');
  });

  it('an unfinished last statement is reported with its line and the parser’s reason (regression: the message was empty)', async () => {
    await loginAs(bed.world.alice.email);
    const r = await cli([], "whoami()\nclients.list({mine: true}\n");
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^<stdin>:2: SyntaxError: \S.*\n$/); // the parser's own words, e.g. "missing ) after argument list"
  });

  it('"it" pages through a list longer than a page', async () => {
    await loginAs(bed.world.alice.email);
    await addBulk(45, bed.world.alice.id, bed.world.kate.id);
    const r = await cli([], "clients.list({search: 'Bulk'})\nit\nit\nit\n");
    expect(r.code, r.stderr).to.equal(0);
    const names = [...r.stdout.matchAll(/Bulk client (\d+)\b/g)].map((m) => Number(m[1]));
    expect(names).to.deep.equal(Array.from({ length: 45 }, (_, i) => i + 1));
    // Into a pipe the hint is no data: stderr says more rows remain, stdout holds only rows.
    expect(r.stdout).to.not.include('Type "it" for more');
    expect(r.stderr.match(/^more rows remain after these 20: /gm)).to.have.length(2);
    // The last page counts every row listed, its 5 and the 40 before.
    expect(r.stdout).to.match(/\(45 rows\)/).and.match(/\(no more rows\)/);
  });

  it('help() and clients.help() list only the methods the department may call', async () => {
    await loginAs(bed.world.alice.email);
    const sales = await cli([], 'help()\nclients.help()\nevents.help()\n');
    expect(sales.code, sales.stderr).to.equal(0);
    expect(sales.stdout).to.match(/clients\.create\(/).and.match(/clients\.update\(/).and.match(/events\.create\(/);
    expect(sales.stdout).not.to.match(/\busers\b.*collaborators/);
    expect(sales.stdout).not.to.match(/events\.update\(|events\.assign\(/);

    await loginAs(bed.world.kate.email);
    const support = await cli([], 'help()\nclients.help()\nevents.help()\n');
    expect(support.code, support.stderr).to.equal(0);
    expect(support.stdout).to.match(/clients\.list\(/).and.match(/events\.update\(/);
    expect(support.stdout).not.to.match(/clients\.create\(|clients\.update\(|events\.create\(|events\.assign\(/);
  });

  it('a 1,000-line script with an error on line 600 stops there, names line 600, and keeps rows 1–599', async () => {
    await loginAs(bed.world.alice.email);
    const before = (await fingerprint()).clients;
    const lines = Array.from({ length: 1000 }, (_, i) =>
      i + 1 === 600 ? "clients.create({fullName: 'Bad', email: 'not an email'})" : `clients.create({fullName: 'Batch ${i + 1}', email: 'batch${i + 1}@x.test'})`);
    const file = script('batch.js', `${lines.join('\n')}\n`);
    const r = await cli([file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/batch\.js:600: ValidationError: .*email/);
    expect((await fingerprint()).clients - before).to.equal(599);
  });

  it('--demo with DATABASE_URL set is refused with exit code 2', async () => {
    const r = await cli(['--demo', 'sales', '--eval', 'clients.list()']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--demo runs only on the embedded database/);
  });

  describe('relative paths (#17 item 7)', () => {
    const folder = () => {
      const dir = fs.mkdtempSync(path.join(bed.home, 'user-'));
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'a.js'), "print('in a')\nload('sub/b.js')\n");
      fs.writeFileSync(path.join(dir, 'sub', 'b.js'), "print('in b')\nload('c.js')\n");
      fs.writeFileSync(path.join(dir, 'sub', 'c.js'), "print('in c')\n");
      return dir;
    };
    // What `npm start` gives the program: it runs in the clone (the CLI's cwd here), INIT_CWD says where the user was.
    const underNpm = (dir: string) => ({ INIT_CWD: dir, npm_lifecycle_event: 'start' });

    it('under npm start, load() and a script path resolve against INIT_CWD, and inside a loaded file against its folder', async () => {
      await loginAs(bed.world.alice.email);
      const dir = folder();
      const viaEval = await cli(['--eval', "load('a.js')"], '', underNpm(dir));
      expect(viaEval.code, viaEval.stderr).to.equal(0);
      expect(viaEval.stdout).to.equal('in a\nin b\nin c\n');
      const viaFile = await cli(['a.js'], '', underNpm(dir));
      expect(viaFile.code, viaFile.stderr).to.equal(0);
      expect(viaFile.stdout).to.equal('in a\nin b\nin c\n');
    });

    it('a missing file names the path it looked at', async () => {
      await loginAs(bed.world.alice.email);
      const dir = folder();
      const r = await cli(['--eval', "load('nope.js')"], '', underNpm(dir));
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`Error: cannot read nope.js (${path.join(dir, 'nope.js')}): no such file`);
    });

    it('INIT_CWD inherited by a process npm did not start in the package root is ignored', async () => {
      const { startDir } = await import('../../lib/platform/user-paths.js');
      expect(startDir({ INIT_CWD: '/elsewhere', npm_lifecycle_event: 'test' }, '/tmp')).to.equal('/tmp');
      expect(startDir({ INIT_CWD: '/elsewhere' }, packageRoot)).to.equal(packageRoot);
      expect(startDir({ INIT_CWD: '/elsewhere', npm_lifecycle_event: 'start' }, packageRoot)).to.equal('/elsewhere');
    });
  });
});
