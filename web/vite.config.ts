import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the screen on :5173 and forwards the API to a local xtraderd; the build
// (dist/) is what xtraderd itself serves at / (server.web_root), with hashed asset names.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": "http://127.0.0.1:7000",
      "/v1": "http://127.0.0.1:7000",
    },
  },
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 1024 },
});
