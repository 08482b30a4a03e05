// A binary heap of keyed items (pkg/scheduler/backend/heap/heap.go): pop the least item in
// O(log n), and find, update or delete any item by its key in O(log n) through an index of
// positions. The scheduling queue's activeQ is one, ordered by priority, then time of arrival.

export class Heap<T> {
  private readonly items: T[] = [];
  private readonly positions = new Map<string, number>();

  /** less(a, b): a comes out before b. */
  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.positions.has(key);
  }

  get(key: string): T | undefined {
    const i = this.positions.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  /** Adds the item, or replaces the one with the same key and restores the order. */
  addOrUpdate(item: T): void {
    const key = this.keyOf(item);
    const i = this.positions.get(key);
    if (i !== undefined) {
      this.items[i] = item;
      this.fix(i);
      return;
    }
    this.items.push(item);
    this.positions.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  /** Restores the order after the item with this key changed in place (its priority, say). */
  reorder(key: string): void {
    const i = this.positions.get(key);
    if (i !== undefined) this.fix(i);
  }

  delete(key: string): T | undefined {
    const i = this.positions.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i]!;
    const last = this.items.length - 1;
    if (i !== last) this.swap(i, last);
    this.items.pop();
    this.positions.delete(key);
    if (i !== last) this.fix(i);
    return item;
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.delete(this.keyOf(top));
    return top;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Keys in heap order (not sorted). */
  keys(): string[] {
    return this.items.map(this.keyOf);
  }

  values(): T[] {
    return [...this.items];
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  /** Moves the item at i towards the root while it is less than its parent; true if it moved. */
  private up(i: number): boolean {
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i]!, this.items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
    return i !== start;
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.less(this.items[right]!, this.items[left]!) ? right : left;
      if (!this.less(this.items[child]!, this.items[i]!)) return;
      this.swap(i, child);
      i = child;
    }
  }

  private swap(a: number, b: number): void {
    const x = this.items[a]!;
    const y = this.items[b]!;
    this.items[a] = y;
    this.items[b] = x;
    this.positions.set(this.keyOf(y), a);
    this.positions.set(this.keyOf(x), b);
  }
}
