interface ImportMetaEnv {
  /** Set at build time (vite.config.ts): the end-to-end test hooks are built in. */
  readonly CALLSCOPE_TEST_HOOKS: boolean;
}
