// `npm run bench`: the replay and publish benchmark belongs to the performance issue. Until it lands this
// says so and succeeds, so scripts that call it keep working.
console.log('stockwire bench: no benchmark yet; it arrives with the performance issue.');
