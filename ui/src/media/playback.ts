import { errorText } from '../api/errors';

/**
 * Plays the far end's audio through an <audio autoplay> element. Chromium decodes a remote
 * track (and reports its audio levels) only while it is played.
 */
export class RemoteAudio {
  #element: HTMLAudioElement | null = null;

  play(stream: MediaStream, onProblem: (message: string) => void): void {
    if (!this.#element) {
      const element = document.createElement('audio');
      element.autoplay = true;
      element.dataset.testid = 'remote-audio';
      element.setAttribute('aria-hidden', 'true');
      document.body.append(element);
      this.#element = element;
    }
    const element = this.#element;
    element.srcObject = stream;
    const played = element.play() as Promise<void> | undefined;
    played?.catch((error: unknown) => onProblem(`the far end's audio could not be played (${errorText(error)})`));
  }

  stop(): void {
    if (!this.#element) return;
    this.#element.srcObject = null;
    this.#element.remove();
    this.#element = null;
  }
}

/** The part of RemoteAudio an adapter uses (tests pass a fake). */
export type RemoteAudioPlayer = Pick<RemoteAudio, 'play' | 'stop'>;
