/** A set of listeners that never lets one listener's exception stop the others. */
export class Listeners<T> {
  #listeners = new Set<(value: T) => void>();

  add(cb: (value: T) => void): () => void {
    this.#listeners.add(cb);
    return () => {
      this.#listeners.delete(cb);
    };
  }

  emit(value: T): void {
    for (const cb of [...this.#listeners]) {
      try {
        cb(value);
      } catch (error) {
        // Surfaces in the console (and through it the app log); the other listeners still run.
        console.error('an event listener failed:', error);
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
