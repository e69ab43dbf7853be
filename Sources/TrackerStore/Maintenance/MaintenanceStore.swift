/// The maintenance leader's statements, one function per step; the tasks that call them decide
/// when, and how much per call (bounded deletes keep every transaction short).
public enum MaintenanceStore {}
