import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Tests start real servers, SQLite files, Chromium and child processes on two cores; a
    // loaded machine runs them at half speed, so the bound is twice what a quiet one needs.
    // (It bounds a hang; no test asserts a time.)
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
