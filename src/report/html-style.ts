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
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}.chart{max-width:100%;height:auto}
.failure{border:2px solid #c62828;border-radius:6px;padding:4px 12px;margin:10px 0;background:#fff5f5}.failure h2{margin:4px 0;border:0;color:#b71c1c}
.failure ul{margin:4px 0;padding-left:18px}.cause-type{display:inline-block;font-size:12px;font-weight:700;color:#fff;background:#c62828;border-radius:3px;padding:0 6px;text-transform:uppercase}
#findings h2{font-size:15px;margin:10px 0 4px;border:0}td{overflow-wrap:break-word}
@media (max-width:900px){body{margin:12px}.chart{max-width:none}h1{font-size:19px}}
@media (max-width:640px){table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}table.cards thead{display:none}
table.cards tr{border:1px solid #ddd;border-radius:4px;margin:0 0 8px;padding:4px 6px}table.cards td{border:0;padding:1px 0;text-align:left;overflow-wrap:anywhere}
table.cards td::before{content:attr(data-label) ": ";color:#666;font-weight:600}table.cards td:empty{display:none}.legend span{margin-right:10px}}
.sw-observe{background:${PHASE_COLOURS.observe}}.sw-apply{background:${PHASE_COLOURS.apply}}.sw-verify{background:${PHASE_COLOURS.verify}}.sw-rollback{background:${PHASE_COLOURS.rollback}}
`;
