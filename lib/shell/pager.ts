/** `it`: the next page of the last list. */
import { isPage, type Page } from '../crm/page.js';
import { markApiFailure } from './errors.js';
import { ShellText } from './output.js';

export class Pager {
  private current: Page<unknown> | undefined;

  remember(value: unknown): void {
    if (isPage(value)) this.current = value;
  }

  async next(): Promise<Page<unknown> | ShellText> {
    if (!this.current) return new ShellText('No list to continue: "it" shows the next page of the last list.');
    if (!this.current.hasMore) return new ShellText('(no more rows)');
    try {
      this.current = await this.current.next();
    } catch (err) {
      markApiFailure(err);
      throw err;
    }
    return this.current;
  }
}
