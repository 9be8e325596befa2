/**
 * The fixed catalogue of the demo: customers, their departments, people's
 * names, destinations and licences. Numbers come from Ofcom's ranges reserved
 * for drama (07700 900xxx, 020 7946 0xxx), so none of them reaches a real person.
 */
export const DEMO_CUSTOMERS = [
  { accountNumber: 'ACME001', name: 'Acme Logistics Ltd', domain: 'acme-logistics.example', employees: 80, departments: ['Operations', 'Sales', 'Finance', 'IT', 'Warehouse'], itemiseCalls: false, miAddon: true, vatNumber: 'GB123456782' },
  { accountNumber: 'BRIG002', name: 'Brightwater Dental Group', domain: 'brightwater.example', employees: 45, departments: ['Clinical', 'Reception', 'Management'], itemiseCalls: true, miAddon: false, vatNumber: 'GB654321006' },
  { accountNumber: 'CAST003', name: 'Castle & Finch Solicitors LLP', domain: 'castlefinch.example', employees: 50, departments: ['Litigation', 'Property', 'Private Client', 'Support'], itemiseCalls: false, miAddon: true, vatNumber: null },
  { accountNumber: 'DUNE004', name: 'Dunmore Engineering', domain: 'dunmore-eng.example', employees: 25, departments: ['Design', 'Workshop', 'Office'], itemiseCalls: false, miAddon: false, vatNumber: null },
] as const

export const FIRST_NAMES = ['Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Grace', 'Freya', 'Sophia', 'Noah', 'Oliver', 'George', 'Arthur', 'Leo', 'Harry', 'Oscar', 'Jack', 'Theo', 'Charlie', 'Priya', 'Aisha', 'Kwame', 'Mateusz', 'Siobhan', 'Rhys', 'Callum', 'Zara', 'Yusuf', 'Elena'] as const
export const LAST_NAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Khan', 'Clarke', "O'Neill", 'Kowalski', 'Murphy', 'Hughes', 'Edwards'] as const

/** Rate deck rows: prefix, destination, category, peak, offpeak, weekend (per minute / MB / message), connection, minimum, increments. */
export const DEMO_DECK: [string, string, string, string, string, string, string, string, string][] = [
  ['441', 'UK geographic', 'national', '0.0200', '0.0100', '0.0080', '0.0000', '0.0000', '60/1'],
  ['442', 'UK geographic', 'national', '0.0200', '0.0100', '0.0080', '0.0000', '0.0000', '60/1'],
  ['443', 'UK non-geographic', 'national', '0.0250', '0.0150', '0.0150', '0.0000', '0.0000', '60/1'],
  ['447', 'UK mobile', 'mobile', '0.0650', '0.0450', '0.0350', '0.0000', '0.0000', '60/1'],
  ['4480', 'UK freephone', 'national', '0.0000', '0.0000', '0.0000', '0.0000', '0.0000', '1/1'],
  ['449', 'UK premium rate', 'premium', '0.4500', '0.4500', '0.4500', '0.1000', '0.2500', '60/60'],
  ['1', 'USA & Canada', 'international', '0.0300', '0.0300', '0.0300', '0.0500', '0.0000', '1/1'],
  ['33', 'France', 'international', '0.0600', '0.0500', '0.0500', '0.0500', '0.0000', '30/6'],
  ['336', 'France mobile', 'international', '0.1200', '0.1000', '0.1000', '0.0500', '0.0000', '30/6'],
  ['49', 'Germany', 'international', '0.0600', '0.0500', '0.0500', '0.0500', '0.0000', '30/6'],
  ['353', 'Ireland', 'international', '0.0500', '0.0400', '0.0400', '0.0500', '0.0000', '30/6'],
  ['91', 'India', 'international', '0.0900', '0.0800', '0.0800', '0.0500', '0.0000', '30/6'],
  ['61', 'Australia', 'international', '0.1100', '0.1000', '0.1000', '0.0500', '0.0000', '30/6'],
  ['', 'UK mobile data', 'data', '0.0100', '0.0100', '0.0100', '0.0000', '0.0000', '1/1'],
  ['', 'Text message', 'sms', '0.0400', '0.0400', '0.0400', '0.0000', '0.0000', '1/1'],
]

/** Dialled numbers the demo's calls go to, weighted by how often they appear. */
export const DEMO_DESTINATIONS: { number: string; weight: number }[] = [
  { number: '02079460123', weight: 30 },
  { number: '01614960000', weight: 20 },
  { number: '01174960555', weight: 10 },
  { number: '07700900999', weight: 25 },
  { number: '03069990000', weight: 5 },
  { number: '08001234567', weight: 4 },
  { number: '0012025550143', weight: 3 },
  { number: '0033140000000', weight: 2 },
  { number: '0033612345678', weight: 1 },
  { number: '004930123456', weight: 2 },
  { number: '0035312345678', weight: 2 },
  { number: '00912240000000', weight: 1 },
  { number: '0061290000000', weight: 1 },
  { number: '09098790000', weight: 1 },
]

/** Microsoft 365 licences and the reseller's monthly sell and cost prices. */
export const DEMO_LICENCES = [
  { sku: 'O365_BUSINESS_ESSENTIALS', name: 'Microsoft 365 Business Basic', price: '4.90', cost: '4.20', share: 0.35 },
  { sku: 'O365_BUSINESS_PREMIUM', name: 'Microsoft 365 Business Standard', price: '10.30', cost: '9.40', share: 0.5 },
  { sku: 'SPB', name: 'Microsoft 365 Business Premium', price: '18.10', cost: '16.50', share: 0.15 },
] as const

export const LINE_RENTAL = { description: 'Mobile line rental (unlimited UK calls excluded)', price: '12.50', cost: '7.00' }
export const MI_ADDON = { description: 'Management information add-on', price: '50.00', cost: '0.00' }
