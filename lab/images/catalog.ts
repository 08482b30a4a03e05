// The lab's images, each a recipe: its names, what its container runs, and how its one layer is
// made from Debian packages. Everything a recipe's result depends on goes into its `inputs`, whose
// hash names the cache entry, so a changed recipe is rebuilt and an unchanged one never is.
//
//   PAUSE_IMAGE, BUSYBOX_IMAGE, NGINX_IMAGE, MYSQL_IMAGE, LAB_IMAGES
//
// mysql:8.0.23 is a stand-in: Debian's MariaDB 10.11 with an entrypoint that honours the official
// image's variables (mysql-entrypoint.sh). With internet access, the real images are pulled.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeConfig } from './ociLayout.ts';
import { busyboxLayer, DEBIAN_SUITE, debianRootfsTar, IMAGES_SOURCE_DIR, PAUSE_SOURCE, pauseLayer } from './rootfs.ts';
import type { TarEntry } from './tarArchive.ts';

export type LayerSource = { kind: 'entries'; entries: TarEntry[] } | { kind: 'tarFile'; path: string };

export interface ImageRecipe {
  /** Cache directory name. */
  name: string;
  /** Full references the image is known by; the first one names it in its OCI layout. */
  refs: string[];
  runtime: RuntimeConfig;
  /** Text that determines the image's content (hashed into the cache key). */
  inputs: string;
  /** Whether building takes long enough to be worth a progress line (mmdebstrap: ~35-60 s). */
  slow: boolean;
  buildLayer(workDir: string): Promise<LayerSource>;
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const sourceFile = (name: string) => join(IMAGES_SOURCE_DIR, name);
const readSource = (name: string) => readFileSync(sourceFile(name), 'utf8');
/** A customize hook that copies a file of this folder into the image. */
const copyInHook = (source: string, dest: string, mode: string) =>
  `install -D -m ${mode} ${JSON.stringify(sourceFile(source))} "$1${dest}"`;

/** The kubelet's default sandbox image since 1.27 (registry.k8s.io/pause:3.9). */
export const PAUSE_IMAGE: ImageRecipe = {
  name: 'pause-3.9',
  refs: ['registry.k8s.io/pause:3.9'],
  runtime: { Entrypoint: ['/pause'], User: '65535:65535' },
  get inputs() {
    return `gcc -Os -static -s\n${readFileSync(PAUSE_SOURCE, 'utf8')}`;
  },
  slow: false,
  async buildLayer(workDir) {
    return { kind: 'entries', entries: await pauseLayer(workDir) };
  },
};

export const BUSYBOX_IMAGE: ImageRecipe = {
  name: 'busybox',
  refs: ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.35'],
  runtime: { Env: [PATH_ENV], Cmd: ['sh'] },
  inputs: `busybox-static ${DEBIAN_SUITE} v1`,
  slow: false,
  async buildLayer(workDir) {
    return { kind: 'entries', entries: await busyboxLayer(workDir) };
  },
};

const NGINX_HOOKS = [
  // The official image's site (serves /usr/share/nginx/html) instead of Debian's (/var/www/html).
  'rm -f "$1/etc/nginx/sites-enabled/default"',
  copyInHook('nginx-default.conf', '/etc/nginx/conf.d/default.conf', '644'),
  'test -e "$1/usr/share/nginx/html/index.html" || cp "$1/var/www/html/index.nginx-debian.html" "$1/usr/share/nginx/html/index.html"',
  // Logs go to the container's stdout/stderr, where `kubectl logs` reads them (as in the official image).
  'ln -sf /dev/stdout "$1/var/log/nginx/access.log"',
  'ln -sf /dev/stderr "$1/var/log/nginx/error.log"',
];

export const NGINX_IMAGE: ImageRecipe = {
  name: 'nginx-1.22.1',
  refs: ['docker.io/library/nginx:1.22.1'],
  runtime: {
    Env: [PATH_ENV],
    Cmd: ['nginx', '-g', 'daemon off;'],
    ExposedPorts: { '80/tcp': {} },
    // nginx's graceful shutdown, as the official image declares.
    StopSignal: 'SIGQUIT',
  },
  get inputs() {
    return ['nginx', DEBIAN_SUITE, ...NGINX_HOOKS, readSource('nginx-default.conf')].join('\n');
  },
  slow: true,
  async buildLayer(workDir) {
    return { kind: 'tarFile', path: await debianRootfsTar(workDir, ['nginx'], NGINX_HOOKS) };
  },
};

const MYSQL_HOOKS = [
  copyInHook('mysql-entrypoint.sh', '/usr/local/bin/docker-entrypoint.sh', '755'),
  // Listen on every address (Debian binds 127.0.0.1); a file, as hooks run under sh, whose quoting
  // would keep a "\n" literally.
  copyInHook('mysql-container.cnf', '/etc/mysql/mariadb.conf.d/99-container.cnf', '644'),
  'mkdir -p "$1/docker-entrypoint-initdb.d"',
  // The package's postinst may have initialised a datadir; the entrypoint must find it empty.
  'rm -rf "$1"/var/lib/mysql/* && chroot "$1" chown mysql:mysql /var/lib/mysql',
];

export const MYSQL_IMAGE: ImageRecipe = {
  name: 'mysql-8.0.23-mariadb-10.11',
  refs: ['docker.io/library/mysql:8.0.23'],
  runtime: {
    Env: [PATH_ENV],
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['mysqld'],
    ExposedPorts: { '3306/tcp': {} },
    Volumes: { '/var/lib/mysql': {} },
  },
  get inputs() {
    return ['mariadb-server,mariadb-client', DEBIAN_SUITE, ...MYSQL_HOOKS, readSource('mysql-container.cnf'), readSource('mysql-entrypoint.sh')].join('\n');
  },
  slow: true,
  async buildLayer(workDir) {
    return { kind: 'tarFile', path: await debianRootfsTar(workDir, ['mariadb-server', 'mariadb-client'], MYSQL_HOOKS) };
  },
};

export const LAB_IMAGES = [PAUSE_IMAGE, BUSYBOX_IMAGE, NGINX_IMAGE, MYSQL_IMAGE];
