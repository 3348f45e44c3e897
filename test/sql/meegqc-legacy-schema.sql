-- The older single-table meegqc_file (LORIS-MRI PR 1397; reference page §1.3), for the legacy-layout tests.
CREATE TABLE `meegqc_file` (
  `ID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `AcquisitionFileID` INT(10) UNSIGNED NOT NULL,
  `Path` VARCHAR(255) NOT NULL,
  `Kind` VARCHAR(255) NOT NULL,
  `Blake2bHash` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `meegqc_file_path_unique` (`Path`),
  CONSTRAINT `meegqc_file_acquisition_fk` FOREIGN KEY (`AcquisitionFileID`) REFERENCES `physiological_file` (`PhysiologicalFileID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
