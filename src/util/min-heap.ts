/** A binary min-heap of indexes: the smallest (the ready step that comes first in the runbook) is taken first. */
export class MinHeap {
  #a: number[] = [];
  get size(): number {
    return this.#a.length;
  }
  push(x: number): void {
    const a = this.#a;
    let i = a.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as number) <= x) break;
      a[i] = a[p] as number;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    return this.takeAt(0);
  }
  /** Remove and return the element at heap position i (any position: shuffle takes one at random). */
  takeAt(i: number): number {
    const a = this.#a;
    const out = a[i] as number;
    const last = a.pop() as number;
    if (i === a.length) return out;
    // put `last` at i, then restore the order up or down
    while (i > 0 && (a[(i - 1) >> 1] as number) > last) {
      a[i] = a[(i - 1) >> 1] as number;
      i = (i - 1) >> 1;
    }
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const c = l + 1 < a.length && (a[l + 1] as number) < (a[l] as number) ? l + 1 : l;
      if ((a[c] as number) >= last) break;
      a[i] = a[c] as number;
      i = c;
    }
    a[i] = last;
    return out;
  }
}
