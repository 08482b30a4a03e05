// The cache's NodeInfos, the most recently changed first (cache.go's doubly linked nodeInfoList and
// moveNodeInfoToHead). Every change bumps a NodeInfo's generation and moves it to the front, so
// generations fall along the list: a snapshot update walks from the front and stops at the first
// node it already has, instead of visiting every node of a large cluster on each cycle.

interface Item<T> {
  value: T;
  prev: Item<T> | undefined;
  next: Item<T> | undefined;
}

export class RecencyList<T> {
  private head: Item<T> | undefined;
  private readonly items = new Map<T, Item<T>>();

  get size(): number {
    return this.items.size;
  }

  /** Puts the value at the front (adding it if new). */
  touch(value: T): void {
    let item = this.items.get(value);
    if (item) {
      if (item === this.head) return;
      this.unlink(item);
    } else {
      item = { value, prev: undefined, next: undefined };
      this.items.set(value, item);
    }
    item.next = this.head;
    if (this.head) this.head.prev = item;
    this.head = item;
  }

  remove(value: T): void {
    const item = this.items.get(value);
    if (!item) return;
    this.unlink(item);
    this.items.delete(value);
  }

  /** From the most recently touched to the least. */
  *fromNewest(): Generator<T> {
    for (let item = this.head; item; item = item.next) yield item.value;
  }

  private unlink(item: Item<T>): void {
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    item.prev = item.next = undefined;
  }
}
