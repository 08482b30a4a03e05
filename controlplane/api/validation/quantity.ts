// Resource quantities (k8s.io/apimachinery/pkg/api/resource): "500m" CPU, "128Mi" memory, "1e3".
// parseQuantity returns the value in base units (cores, bytes) as a number; the scheduler and the
// kubelet use it too. Numbers are doubles, which is exact for every quantity a cluster of this
// size meets (upstream keeps arbitrary precision; we do not need it).

/** The message upstream's decoder gives for a malformed quantity. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const SHAPE = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;

/**
 * Parses a quantity string (or a JSON number, which upstream also accepts) into base units.
 * Returns undefined when the text is not a quantity.
 */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = SHAPE.exec(q);
  if (!m) return undefined;
  const [, sign, digits, suffix] = m;
  const magnitude = Number(digits);
  const scale = suffixScale(suffix);
  if (scale === undefined || Number.isNaN(magnitude)) return undefined;
  const value = magnitude * scale;
  return sign === '-' ? -value : value;
}

function suffixScale(suffix: string): number | undefined {
  if (suffix in BINARY_SUFFIXES) return BINARY_SUFFIXES[suffix];
  if (suffix in DECIMAL_SUFFIXES) return 10 ** DECIMAL_SUFFIXES[suffix];
  // Decimal exponent: "1e3", "5E-2".
  const exp = /^[eE]([+-]?\d+)$/.exec(suffix);
  if (exp) return 10 ** Number(exp[1]);
  return undefined;
}
