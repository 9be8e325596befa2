/*
 * Wires billing to the capabilities it may not import (the folder direction checked by lint:architecture):
 * draft flags read insights' anomalies, and every usage change runs the bill-shock check.
 */
import { useAnomalyFinder } from '#billing/flags'
import { findAnomalies } from '#insights/anomalies'
import { onUsageChanged } from '#consolidation/usage_pipeline'
import { checkBillShock } from '#billing/bill_shock'

useAnomalyFinder(findAnomalies)
onUsageChanged((customerId, periods) => checkBillShock(customerId, periods))
