export { parseFaultSpec, FaultPlan, type FaultSpec, type FaultCounts } from './plan';
export { withStoreFaults, InjectedStoreFault, type FaultyStore } from './port-faults';
export { withWriteFaults } from './mongo-faults';
