import { describeReportEndToEnd } from './report-e2e-suite.ts';

describeReportEndToEnd('postgres');
