import { PHASE_COLOURS } from './html-timeline.js';

/** The report's only stylesheet (inline; system fonts only). */
export const HTML_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;margin:24px;background:#fff}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:2px 0}.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:700;font-size:13px;vertical-align:middle}
.o-SUCCEEDED,.o-succeeded{background:#2e7d32}.o-FAILED,.o-failed{background:#c62828}.o-INTERRUPTED,.o-interrupted{background:#ef6c00}.o-SKIPPED,.o-running,.o-unknown{background:#757575}
.headline{font-size:18px;margin:8px 0}.bad{color:#b71c1c}.ok{color:#1b5e20}.regression{color:#d62728;font-weight:700}
table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.critical td:first-child{font-weight:700;border-left:4px solid #c2185b}
tr.bad td{color:#b71c1c}.legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:middle;border-radius:2px}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif}.tick{font-size:11px;fill:#666}.section{font-size:13px;font-weight:700;fill:#333}
.step-label{font-size:13px;fill:#222}.step-kind{font-size:11px;fill:#888}.dur{font-size:11px;fill:#333}.dur.bad{fill:#b71c1c;font-weight:700}
.mark-label{font-size:12px;font-weight:700}.retry-label{font-size:10px;fill:#b71c1c}.in-bar{font-size:13px;font-weight:700;fill:#fff}
.part-label{font-size:12px;fill:#333}.total{font-size:13px;font-weight:700;fill:#222}.empty{color:#777;font-style:italic}
.scroll{overflow-x:auto}
.sw-observe{background:${PHASE_COLOURS.observe}}.sw-apply{background:${PHASE_COLOURS.apply}}.sw-verify{background:${PHASE_COLOURS.verify}}.sw-rollback{background:${PHASE_COLOURS.rollback}}
`;
