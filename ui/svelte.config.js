// Svelte 5 compiles `<script lang="ts">` itself (type annotations only); no preprocessor needed.
/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {};
