/**
 * What the server says of a statement without running it: the extended
 * protocol's Parse and Describe (statement), as a driver does before Bind.
 * The parameter types PostgreSQL inferred, and the result's columns (none for
 * a statement that returns no rows). Nothing is executed.
 */
import pg from 'pg';

export interface Described {
  /** The type of $1…$n as the server inferred it (pg type OIDs). */
  params: number[];
  /** The result's columns, in order; [] when the statement returns no rows. */
  columns: { name: string; type: number }[];
}

interface Protocol {
  parse(q: { text: string; name?: string; types?: number[] }): void;
  describe(q: { type: 'S' | 'P'; name?: string }): void;
  sync(): void;
  once(event: string, listener: (msg: never) => void): void;
  removeListener(event: string, listener: (msg: never) => void): void;
}

/** One Parse + Describe round trip, submitted through pg's query queue (pg's Submittable). */
class Describe {
  private params: number[] = [];
  private columns: Described['columns'] = [];
  private failure: Error | undefined;
  private cleanup = () => undefined as void;
  constructor(private readonly text: string, private readonly done: (err: Error | undefined, d?: Described) => void) {}

  submit(connection: Protocol): void {
    const onParams = (msg: { dataTypeIDs: number[] }) => { this.params = msg.dataTypeIDs; };
    connection.once('parameterDescription', onParams as (msg: never) => void);
    this.cleanup = () => connection.removeListener('parameterDescription', onParams as (msg: never) => void);
    connection.parse({ text: this.text });
    connection.describe({ type: 'S' });
    connection.sync();
  }
  handleRowDescription(msg: { fields: { name: string; dataTypeID: number }[] }): void {
    this.columns = msg.fields.map((f) => ({ name: f.name, type: f.dataTypeID }));
  }
  handleError(err: Error): void {
    this.failure = err;
    this.cleanup();
    this.done(err);
  }
  handleReadyForQuery(): void {
    this.cleanup();
    if (!this.failure) this.done(undefined, { params: this.params, columns: this.columns });
  }
  handleDataRow(): void { /* Describe sends none */ }
  handleCommandComplete(): void { /* Describe sends none */ }
  handleEmptyQuery(): void { /* an empty statement describes as no columns */ }
}

/** Parse and describe `text` on `client` (the unnamed statement: nothing is kept). */
export function describeStatement(client: pg.Client, text: string): Promise<Described> {
  return new Promise((resolve, reject) => {
    const submittable = new Describe(text, (err, d) => (err ? reject(err) : resolve(d as Described)));
    void client.query(submittable as unknown as pg.QueryConfig);
  });
}
