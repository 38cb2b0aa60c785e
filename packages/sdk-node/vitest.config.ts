import { packageProject } from '../../vitest.shared';

export default packageProject('sdk-node');
