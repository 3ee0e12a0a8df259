
BxJ*EWFдн-H