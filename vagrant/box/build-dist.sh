#!/usr/bin/env bash
# Compiles k8ts to plain JavaScript in dist/ (gitignored), for machines where running the
# TypeScript sources through tsx costs too much: under QEMU's software emulation Node.js is
# 20-55x slower, and tsx would transpile hundreds of files at every start of every component.
#
#   dist/k8ts.mjs         the `k8ts` entry point (same commands as bin/k8ts.mjs)
#   dist/proto/           the CRI contract, loaded at run time by the kubelet
#   dist/**/*.json        data files the sources read next to themselves
#
# tsc only emits here (noCheck): `npx tsc --noEmit` is the type check.
# Usage: vagrant/box/build-dist.sh [REPO_DIR]
set -euo pipefail
repo=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$repo"
[ -x node_modules/.bin/tsc ] || { echo "ERROR: $repo/node_modules/.bin/tsc is missing (npm ci first)" >&2; exit 1; }

rm -rf dist.building
node_modules/.bin/tsc -p vagrant/box/tsconfig.dist.json --outDir dist.building
cp -r proto dist.building/proto
# Data files read with readFileSync(new URL('./x.json', import.meta.url)).
git ls-files 'controlplane/*.json' 'agent/*.json' 2>/dev/null | while read -r f; do
  install -D -m 0644 "$f" "dist.building/$f"
done
[ -f controlplane/api/schema/definitions.json ] &&
  install -D -m 0644 controlplane/api/schema/definitions.json dist.building/controlplane/api/schema/definitions.json
cat >dist.building/k8ts.mjs <<'EOF'
#!/usr/bin/env node
// `k8ts <component> [flags]` from the compiled JavaScript (vagrant/box/build-dist.sh).
const { main } = await import('./bin/main.js');
await main(process.argv.slice(2));
EOF
chmod 0755 dist.building/k8ts.mjs
rm -rf dist
mv dist.building dist
echo "dist: $(find dist -name '*.js' | wc -l) files"
