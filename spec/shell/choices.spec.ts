import { expect } from 'chai';
import { completeShellLine } from '../../lib/shell/completion.js';
import { CHOICE_RULES, completeChoice } from '../../lib/shell/choices.js';

describe('Tab completion of fixed choices (lib/shell/choices.ts)', () => {
  it('completes setting names as config.get() shows them, and their values', () => {
    expect(completeShellLine("config.set('pa", 'sales')).to.deep.equal([['pageSize', 'pager'], 'pa']);
    expect(completeShellLine("config.reset('col", 'sales')![0]).to.include('color').and.include('columns.clients');
    expect(completeShellLine("config.set('expanded', '", 'sales')).to.deep.equal([['auto', 'on', 'off'], '']);
    expect(completeShellLine("config.set('columns.clients', 'a", 'sales')).to.deep.equal([['all'], 'a']);
  });

  it('completes departments, the by of reports.revenue and the object of activity', () => {
    expect(completeShellLine("users.create({fullName: 'A', department: 's", 'management')).to.deep.equal([['sales', 'support'], 's']);
    expect(completeShellLine("reports.revenue({by: '", 'management')).to.deep.equal([['salesContact', 'client', 'month'], '']);
    expect(completeShellLine("activity({object: 'c", 'management')).to.deep.equal([['client', 'contract'], 'c']); // as activity takes them
  });

  it('leaves other strings alone, and takes more rules beside its own', () => {
    expect(completeChoice("clients.list({search: 'ke")).to.equal(undefined);
    expect(completeChoice("events.assign(4, 'ka", [...CHOICE_RULES, { before: /events\.assign\(\s*\d+\s*,\s*$/, choices: () => ['kate@epic.events'] }])).to.deep.equal([['kate@epic.events'], 'ka']);
  });
});
