// IntOrString values such as maxSurge: 2 or "25%" (k8s.io/apimachinery/pkg/util/intstr
// GetScaledValueFromIntOrPercent).

export type IntOrString = number | string;

/**
 * The absolute value of `v` against `total`: an integer stays as is; "N%" is N% of total, rounded
 * up or down as asked. A string without "%" that is a number is taken as that number (upstream
 * rejects it; validation already does here).
 */
export function scaledValueFromIntOrPercent(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v.trim());
  if (!m) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
